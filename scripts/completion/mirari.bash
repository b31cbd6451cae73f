# SPDX-License-Identifier: ISC
# bash completion for mirari: commands, options, app.conf keys as
# --KEY=VALUE, targets and values. The candidates come from the tool itself
# (`mirari complete bash -- WORDS...`, tool/complete.c), so they follow the
# mirari being completed. `make install` puts this file where
# bash-completion loads it on demand: share/bash-completion/completions/mirari.

_mirari() {
    local i w cur
    local -a words=() out=()
    # bash splits --KEY=VALUE at '=' (COMP_WORDBREAKS); mirari wants the
    # words whole, as it parses them.
    for ((i = 1; i <= COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((${#words[@]} > 0)) && [[ $w == =* || ${words[${#words[@]} - 1]} == *= ]]; then
            words[${#words[@]} - 1]+=$w
        else
            words+=("$w")
        fi
    done
    ((${#words[@]} > 0)) || words=("")
    cur=${words[${#words[@]} - 1]}
    mapfile -t out < <("${COMP_WORDS[0]}" complete bash -- "${words[@]}" 2>/dev/null)
    COMPREPLY=()
    # Readline replaces only what follows the last '=' of the word.
    local value=$cur prefix=""
    if [[ $cur == *=* && $COMP_WORDBREAKS == *=* ]]; then
        value=${cur#*=}
        prefix=${cur%%=*}=
    fi
    case ${out[0]-} in
    @file)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$value"; compgen -f -X '!*.conf' -- "$value")
        return 0
        ;;
    @pem)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$value"; compgen -f -X '!*.pem' -- "$value")
        return 0
        ;;
    @dir)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$value")
        return 0
        ;;
    esac
    for w in "${out[@]}"; do
        [[ $w == *[=-] ]] && compopt -o nospace 2>/dev/null
        [[ -n $prefix ]] && w=${w#"$prefix"}
        COMPREPLY+=("$w")
    done
    return 0
}

complete -F _mirari mirari
