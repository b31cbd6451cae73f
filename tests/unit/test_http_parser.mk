# SPDX-License-Identifier: ISC
# The request parser, the chunked decoder, ranges, dates, media types.
test_http_parser_DEPS := $(call objs,runtime/http/parser.c runtime/http/range.c \
	runtime/http/date.c runtime/http/mime.c)
