# SPDX-License-Identifier: ISC
"""HTTP semantics of examples/static-website (main-http, unix-socket target)
checked clause by clause, in the style of h2spec: each test crafts the
requests one RFC clause is about, sends them with raw sockets or curl, and
is named after the clause (rfc9112_6_1 is RFC 9112 section 6.1).

No HTTP/1.1 conformance suite for servers is packaged in Debian or on npm,
so the clauses are written here; the responses are read back by parsers
that no one on the project wrote: h11 (Debian python3-h11, a strict
HTTP/1.1 implementation) for every complete response, and Python's email
package for multipart/byteranges bodies.

Requests the server refuses must be answered 400 (or 414, 431) with
Connection: close, and the connection must then end: a second request
sent behind the bad one (a smuggled request) must get no answer."""

import email.parser
import email.policy
import re
import socket
import subprocess

import h11
import pytest

from test_http import Site, site_build  # noqa: F401 (a fixture)

# The server's default limits (mi_http_default_limits, mirari-api(3)).
MAX_HEAD = 16 * 1024
MAX_URI = 8 * 1024


@pytest.fixture
def site(site_build, tmp_path):  # noqa: F811
    s = Site(*site_build, tmp_path / "site.log")
    yield s
    assert s.stop(), s.log_path.read_text()[-4000:]


def exchange(port, data, timeout=30):
    """Send data on a fresh connection (without half-closing it) and read
    until the server closes, or until nothing comes for a moment."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        s.settimeout(3)
        chunks = []
        closed = False
        while True:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            if not c:
                closed = True
                break
            chunks.append(c)
        return b"".join(chunks), closed


def h11_responses(data, methods=("GET",)):
    """Parse a stream of responses with h11, one per request method given.
    h11 refuses a response whose framing or syntax breaks RFC 9112.
    Returns [(status, {name: value}, body)]."""
    out = []
    rest = data
    for method in methods:
        c = h11.Connection(our_role=h11.CLIENT)
        c.send(h11.Request(method=method, target="/", headers=[("Host", "x")]))
        c.send(h11.EndOfMessage())
        c.receive_data(rest)
        status, fields, body = None, {}, b""
        while True:
            ev = c.next_event()
            assert ev is not h11.NEED_DATA, ("incomplete response", rest[:300])
            if isinstance(ev, h11.Response):
                status = ev.status_code
                fields = {k.decode().lower(): v.decode() for k, v in ev.headers}
            elif isinstance(ev, h11.Data):
                body += ev.data
            elif isinstance(ev, h11.EndOfMessage):
                break
        out.append((status, fields, body))
        rest = c.trailing_data[0]
    assert rest == b"", rest[:300]
    return out


def refused(site, request, status=400):
    """request, then a valid request behind it: only the first is
    answered, with `status`, and the connection ends."""
    data, closed = exchange(site.port, request + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert closed, data[:300]
    [(got, fields, _)] = h11_responses(data)
    assert got == status, data[:300]
    assert fields["connection"] == "close"


def get(site, path, *headers):
    """One GET with extra header lines, parsed by h11."""
    req = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + \
        "".join(h + "\r\n" for h in headers) + "\r\n"
    data, _ = exchange(site.port, req.encode())
    [resp] = h11_responses(data)
    return resp


def curl(*args):
    out = subprocess.run(["curl", "-s", "-i", "--max-time", "30", *args], capture_output=True,
                         timeout=60, check=True).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = {l.partition(":")[0].lower(): l.partition(":")[2].strip() for l in lines[1:]}
    return int(lines[0].split()[1]), fields, body


# ---- RFC 9112: message syntax and framing ----

@pytest.mark.parametrize("req", [
    b"GET / HTTP/1.1\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n\n",
    b"GET / HTTP/1.1\nHost: x\n\n",
    b"\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
], ids=["request-line", "field-line", "end-of-head", "all", "leading-empty-line"])
def test_rfc9112_2_2_bare_lf_refused(site, req):
    refused(site, req)


def test_rfc9112_2_2_leading_crlf_ignored(site):
    data, _ = exchange(site.port, b"\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert h11_responses(data)[0][0] == 200


@pytest.mark.parametrize("hosts", [
    [], ["a", "a"], ["a", "b"], ["a b"], ["a/b"], ["user@a"], ["a:b"], ["[::1"], ["a%zz"],
    ["a:80:80"],
], ids=["none", "two-same", "two", "space", "slash", "userinfo", "bad-port", "bracket",
        "bad-escape", "two-ports"])
def test_rfc9112_3_2_host_refused(site, hosts):
    req = b"GET / HTTP/1.1\r\n" + b"".join(b"Host: " + h.encode() + b"\r\n" for h in hosts)
    refused(site, req + b"\r\n")


@pytest.mark.parametrize("host", ["example.com", "example.com:8080", "127.0.0.1:1", "[::1]:80",
                                  ""])
def test_rfc9112_3_2_host_accepted(site, host):
    data, _ = exchange(site.port,
                       f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    assert h11_responses(data)[0][0] == 200


def test_rfc9112_3_2_http10_without_host(site):
    data, closed = exchange(site.port, b"GET / HTTP/1.0\r\n\r\n")
    assert closed
    assert data.startswith(b"HTTP/1.1 200 ")


def test_rfc9112_3_uri_limit_414(site):
    """request-target of MAX_URI bytes: served (404: no such file); one
    byte more: 414."""
    at = b"/" + b"a" * (MAX_URI - 1)
    data, _ = exchange(site.port, b"GET " + at + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert h11_responses(data)[0][0] == 404
    refused(site, b"GET " + at + b"a HTTP/1.1\r\nHost: x\r\n\r\n", 414)


def test_rfc6585_5_head_limit_431(site):
    """A head of exactly MAX_HEAD bytes (request line to the empty line):
    served; one byte more: 431."""
    start = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Fill: "
    fill = MAX_HEAD - len(start) - 4
    at = start + b"f" * fill + b"\r\n\r\n"
    assert len(at) == MAX_HEAD
    data, _ = exchange(site.port, at)
    assert h11_responses(data)[0][0] == 200
    refused(site, start + b"f" * (fill + 1) + b"\r\n\r\n", 431)


def test_rfc6585_5_too_many_fields_431(site):
    fields = b"".join(b"X-%d: 1\r\n" % i for i in range(64))
    refused(site, b"GET / HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n", 431)


@pytest.mark.parametrize("line", [b"Host : x", b"Host\t: x", b"X-A : 1"],
                         ids=["space", "tab", "other-field"])
def test_rfc9112_5_1_whitespace_before_colon(site, line):
    req = b"GET / HTTP/1.1\r\n" + (b"" if line.startswith(b"Host") else b"Host: x\r\n")
    refused(site, req + line + b"\r\n\r\n")


@pytest.mark.parametrize("fold", [b" ", b"\t"], ids=["space", "tab"])
def test_rfc9112_5_2_obs_fold(site, fold):
    refused(site, b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n" + fold + b"2\r\n\r\n")


def test_rfc9112_6_1_content_length_and_transfer_encoding(site):
    """CL.TE and TE.CL: both framings at once is refused, not guessed; the
    request hidden in the body is never answered."""
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    refused(site, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled)
    refused(site, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Length: 40\r\n\r\n0\r\n\r\n" + smuggled)


@pytest.mark.parametrize("te", [b"gzip", b"chunked, gzip", b"identity", b"chunked, chunked",
                                b"chunked\r\nTransfer-Encoding: gzip", b"xchunked", b"chunked;q=1"])
def test_rfc9112_6_1_final_coding_not_chunked(site, te):
    refused(site, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
            b"\r\n\r\n0\r\n\r\n")


@pytest.mark.parametrize("te", [b"gzip, chunked", b"deflate\r\nTransfer-Encoding: chunked"],
                         ids=["list", "two-fields"])
def test_rfc9112_6_1_unknown_coding_before_chunked(site, te):
    """Framed right (chunked is last), but a coding the server does not
    decode: 501, and the connection ends all the same."""
    refused(site, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te +
            b"\r\n\r\n0\r\n\r\n", 501)


@pytest.mark.parametrize("cl", [b"5\r\nContent-Length: 6", b"5, 6", b"5,", b"+5", b"0x5",
                                b"5 5"])
def test_rfc9112_6_3_content_length_invalid(site, cl):
    refused(site, b"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: " + cl +
            b"\r\n\r\nhello")


@pytest.mark.parametrize("cl", [b"5, 5", b"5\r\nContent-Length: 5"], ids=["list", "twice"])
def test_rfc9110_8_6_content_length_same_values(site, cl):
    """Identical values are one Content-Length (RFC 9110 8.6): the body is
    5 bytes, and the request behind it is answered on the same connection."""
    data, _ = exchange(site.port, b"POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: " + cl +
                       b"\r\n\r\nhelloGET /css/site.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    resps = h11_responses(data, ("POST", "GET"))
    assert resps[1][0] == 200
    assert resps[1][2] == site.file("css/site.css")


def test_rfc9112_7_1_bare_lf_in_chunked_trailer(site):
    refused(site, b"POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"1\r\na\r\n0\r\nT: 1\n\r\n")


# ---- RFC 9110 13: conditional requests ----

def test_rfc9110_13_1_1_if_match(site):
    etag = get(site, "/index.html")[1]["etag"]
    assert get(site, "/index.html", f"If-Match: {etag}")[0] == 200
    assert get(site, "/index.html", f'If-Match: "nope", {etag}')[0] == 200
    assert get(site, "/index.html", "If-Match: *")[0] == 200
    assert get(site, "/index.html", 'If-Match: "0000000000000000"')[0] == 412
    assert get(site, "/index.html", f"If-Match: W/{etag}")[0] == 412  # strong comparison


def test_rfc9110_13_1_4_if_unmodified_since(site):
    lm = get(site, "/index.html")[1]["last-modified"]
    assert get(site, "/index.html", f"If-Unmodified-Since: {lm}")[0] == 200
    assert get(site, "/index.html", "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT")[0] \
        == 412
    assert get(site, "/index.html", "If-Unmodified-Since: garbage")[0] == 200
    # curl's own flag for it (-z with a leading '-': "unmodified since")
    status, _, _ = curl("-z", "-Sat, 01 Jan 2000 00:00:00 GMT", site.base + "/index.html")
    assert status == 412


def test_rfc9110_13_2_2_order(site):
    _, f, _ = get(site, "/index.html")
    etag, lm = f["etag"], f["last-modified"]
    old = "Sat, 01 Jan 2000 00:00:00 GMT"
    # 1 before 3: If-Match fails first, although If-None-Match would say 304
    assert get(site, "/index.html", 'If-Match: "0"', f"If-None-Match: {etag}")[0] == 412
    # 2 before 4
    assert get(site, "/index.html", f"If-Unmodified-Since: {old}",
               f"If-Modified-Since: {lm}")[0] == 412
    # 1 true: If-Unmodified-Since is not evaluated
    assert get(site, "/index.html", f"If-Match: {etag}",
               f"If-Unmodified-Since: {old}")[0] == 200
    # 3 present: If-Modified-Since is not evaluated
    assert get(site, "/index.html", 'If-None-Match: "0"', f"If-Modified-Since: {lm}")[0] == 200
    # 1-4 before the range (5)
    assert get(site, "/1k.bin", 'If-Match: "0"', "Range: bytes=0-0")[0] == 412
    assert get(site, "/1k.bin", f"If-None-Match: {etag}", "Range: bytes=0-0")[0] == 206
    _, f1k, _ = get(site, "/1k.bin")
    assert get(site, "/1k.bin", f"If-None-Match: {f1k['etag']}", "Range: bytes=0-0")[0] == 304


def test_rfc9110_13_1_5_if_range(site):
    _, f, whole = get(site, "/1k.bin")
    etag, lm = f["etag"], f["last-modified"]
    status, f2, body = get(site, "/1k.bin", "Range: bytes=0-9", f"If-Range: {etag}")
    assert (status, f2["content-range"], body) == (206, f"bytes 0-9/{len(whole)}", whole[:10])
    assert get(site, "/1k.bin", "Range: bytes=0-9", f"If-Range: {lm}")[0] == 206
    for bad in ('"0000000000000000"', f"W/{etag}", "Sat, 01 Jan 2000 00:00:00 GMT", "junk"):
        status, _, body = get(site, "/1k.bin", "Range: bytes=0-9", f"If-Range: {bad}")
        assert (status, body) == (200, whole), bad
    # several ranges follow the same rule
    status, _, body = get(site, "/1k.bin", "Range: bytes=0-0,5-5", 'If-Range: "0"')
    assert (status, body) == (200, whole)


# ---- RFC 9110 14: ranges ----

def parts(fields, body):
    """The parts of a multipart/byteranges body, read by Python's email
    parser: [(content-type, content-range, data)]."""
    raw = b"Content-Type: " + fields["content-type"].encode() + b"\r\n\r\n" + body
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    assert msg.get_content_type() == "multipart/byteranges"
    assert not msg.defects, msg.defects
    return [(p["Content-Type"], p["Content-Range"], p.get_payload(decode=True))
            for p in msg.iter_parts()]


def test_rfc9110_14_6_multipart_byteranges(site):
    whole = site.file("1k.bin")
    n = len(whole)
    status, f, body = curl("-r", "0-9,100-109,-5", site.base + "/1k.bin")
    assert status == 206
    assert re.fullmatch(r"multipart/byteranges; boundary=[0-9A-Za-z-]+", f["content-type"])
    assert "content-range" not in f
    assert int(f["content-length"]) == len(body)
    assert parts(f, body) == [
        ("application/octet-stream", f"bytes 0-9/{n}", whole[0:10]),
        ("application/octet-stream", f"bytes 100-109/{n}", whole[100:110]),
        ("application/octet-stream", f"bytes {n - 5}-{n - 1}/{n}", whole[-5:]),
    ]
    # h11 agrees on the framing
    status, f2, body2 = get(site, "/1k.bin", "Range: bytes=0-9,100-109,-5")
    assert (status, body2) == (206, body)


def test_rfc9110_14_6_coalesced(site):
    """Overlapping and adjacent ranges are merged: one range left is a
    plain 206, never a multipart body with one part."""
    whole = site.file("1k.bin")
    status, f, body = get(site, "/1k.bin", "Range: bytes=10-19,0-9,5-14")
    assert (status, f["content-range"], body) == (206, f"bytes 0-19/{len(whole)}", whole[:20])
    status, f, body = get(site, "/1k.bin", "Range: bytes=0-9,5-14,100-101")
    assert [p[1:] for p in parts(f, body)] == [(f"bytes 0-14/{len(whole)}", whole[:15]),
                                               (f"bytes 100-101/{len(whole)}", whole[100:102])]


def test_rfc9110_14_1_1_unsatisfiable_416(site):
    n = len(site.file("1k.bin"))
    status, f, _ = get(site, "/1k.bin", f"Range: bytes={n}-,{n + 10}-{n + 20}")
    assert (status, f["content-range"]) == (416, f"bytes */{n}")
    # one satisfiable range among them is enough
    status, f, body = get(site, "/1k.bin", f"Range: bytes={n}-,0-0")
    assert (status, f["content-range"]) == (206, f"bytes 0-0/{n}")


def test_rfc9110_14_2_too_many_ranges(site):
    """More than 32 range-specs (the documented cap) are ignored: the
    whole 200. 32 are served."""
    whole = site.file("1k.bin")
    specs = [f"{2 * i}-{2 * i}" for i in range(33)]
    status, _, body = get(site, "/1k.bin", "Range: bytes=" + ",".join(specs))
    assert (status, body) == (200, whole)
    status, f, body = get(site, "/1k.bin", "Range: bytes=" + ",".join(specs[:32]))
    assert status == 206
    assert len(parts(f, body)) == 32
