#!/bin/sh
# check-shell.sh - lint shell scripts for common safety problems.
#
# Usage: check-shell.sh [FILE_OR_DIRECTORY ...]    (default: .)
#
# Directories are searched for *.sh and *.bash files (skipping .git).
# If shellcheck is installed it is run on every file (extra options can be
# given through the SHELLCHECK_OPTS environment variable, which shellcheck
# reads itself). Otherwise a fallback check makes sure each script has a
# shebang and turns on strict mode: set -eu for sh scripts, and additionally
# pipefail for bash, ksh and zsh scripts.
#
# Exit status: 0 when every file is clean, 1 when problems were found,
# 2 when an argument does not exist.
set -eu

if command -v shellcheck >/dev/null 2>&1; then
    have_shellcheck=1
else
    have_shellcheck=0
fi

# Fallback check for one file; prints problems and returns 1 if any.
check_strict_mode() {
    file=$1
    problems=""

    first_line=$(head -n 1 -- "$file")
    case $first_line in
        '#!'*) ;;
        *) problems="$problems, no shebang line" ;;
    esac

    if ! grep -Eq '^[[:space:]]*set[[:space:]].*(-[A-Za-z]*e|errexit)' -- "$file"; then
        problems="$problems, missing set -e (errexit)"
    fi
    if ! grep -Eq '^[[:space:]]*set[[:space:]].*(-[A-Za-z]*u|nounset)' -- "$file"; then
        problems="$problems, missing set -u (nounset)"
    fi

    needs_pipefail=0
    case $first_line in
        '#!'*bash*|'#!'*ksh*|'#!'*zsh*) needs_pipefail=1 ;;
    esac
    case $file in
        *.bash) needs_pipefail=1 ;;
    esac
    if [ "$needs_pipefail" -eq 1 ] &&
        ! grep -Eq '^[[:space:]]*set[[:space:]].*pipefail' -- "$file"; then
        problems="$problems, missing set -o pipefail"
    fi

    if [ -n "$problems" ]; then
        # Strip the leading ", " before printing.
        printf '%s: %s\n' "$file" "${problems#, }"
        return 1
    fi
    return 0
}

check_file() {
    if [ "$have_shellcheck" -eq 1 ]; then
        shellcheck -- "$1"
    else
        check_strict_mode "$1"
    fi
}

if [ "$#" -eq 0 ]; then
    set -- .
fi

if [ "$have_shellcheck" -eq 0 ] && [ -z "${CHECK_SHELL_CHILD:-}" ]; then
    echo "check-shell: shellcheck not found, running basic strict-mode check" >&2
fi

status=0
# Record a failed check without hiding an earlier usage error (status 2).
failed() {
    if [ "$status" -eq 0 ]; then
        status=1
    fi
}

for arg in "$@"; do
    if [ -d "$arg" ]; then
        # Re-run this script on the files found, in batches, so that file
        # names containing spaces are passed through unchanged.
        find "$arg" -name .git -prune -o -type f \
            \( -name '*.sh' -o -name '*.bash' \) \
            -exec env CHECK_SHELL_CHILD=1 sh "$0" {} + || failed
    elif [ -f "$arg" ]; then
        check_file "$arg" || failed
    else
        echo "check-shell: no such file or directory: $arg" >&2
        status=2
    fi
done

exit "$status"
