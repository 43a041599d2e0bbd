#!/usr/bin/env bash
# Installs stylize: the release binary, the shipped weights with their licence and notice
# files, the shell completions (bash, zsh, fish) and the man page; or removes them again.
#
# Usage: Scripts/install.sh [--prefix PREFIX] [--binary FILE] [--uninstall]
#   --prefix PREFIX  where to install (default: $HOME/.local, the per-user prefix of the XDG
#                    base directories; e.g. --prefix /usr/local with sudo for every user)
#   --binary FILE    install this already built stylize instead of building the release
#   --uninstall      remove exactly the files a previous install under PREFIX recorded
#   DESTDIR=DIR      (environment) stage the files under DIR/PREFIX, for packaging
#
# Layout under PREFIX:
#   bin/stylize
#   share/stylize/                    *.safetensors, MANIFEST.json, licence, notice, model cards,
#                                     Training/magenta/convert_magenta.py (for 'weights fetch magenta')
#   share/man/man1/stylize.1
#   share/bash-completion/completions/stylize
#   share/zsh/site-functions/_stylize
#   share/fish/vendor_completions.d/stylize.fish
#   share/stylize/installed-files.txt (what --uninstall removes)
# The binary finds its weights in ../share/stylize relative to itself, so PREFIX is not
# compiled in and an installed tree can be moved.
#
# The completions come from the binary (swift-argument-parser's --generate-completion-script);
# the man page from swift-argument-parser's generate-manual tool, built offline from the
# package's own dependency checkout (the same tool its GenerateManual plugin runs, pointed at the
# binary being installed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

prefix="${HOME:?HOME is not set; give --prefix}/.local"
binary=""
uninstall=false
while [ $# -gt 0 ]; do
    case $1 in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --binary) binary=${2:?--binary needs a file}; shift 2 ;;
    --binary=*) binary=${1#--binary=}; shift ;;
    --uninstall) uninstall=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case $prefix in /*) ;; *) prefix="$PWD/$prefix" ;; esac
dest="${DESTDIR:-}$prefix"
share="$dest/share/stylize"
record="$share/installed-files.txt"

if $uninstall; then
    [ -f "$record" ] || { echo "install.sh: nothing to uninstall: $record does not exist" >&2; exit 1; }
    while IFS= read -r rel; do
        [ -n "$rel" ] && rm -f -- "$dest/$rel"
    done < "$record"
    rm -f -- "$record"
    # Only the folders that are stylize's own; shared ones (bin, man1, completions) stay.
    for d in "$share/Training/magenta" "$share/Training" "$share"; do
        [ -d "$d" ] && rmdir --ignore-fail-on-non-empty -- "$d"
    done
    echo "removed stylize from $prefix"
    exit 0
fi

if [ -z "$binary" ]; then
    echo "Building stylize (release) ..." >&2
    swift build -c release --product stylize >&2
    binary="$(swift build -c release --show-bin-path)/stylize"
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

# swift-argument-parser's generate-manual, built from the dependency checkout into its own
# scratch folder (its own lock, so this also works while another SwiftPM command holds .build).
parser="$root/.build/checkouts/swift-argument-parser"
if [ ! -f "$parser/Tools/generate-manual/GenerateManual.swift" ]; then
    echo "install.sh: $parser is missing: run 'swift build' once (it fetches swift-argument-parser)" >&2
    exit 1
fi
tools="$root/.build/stylize-install-tools"
echo "Building generate-manual (swift-argument-parser) ..." >&2
swift build --package-path "$parser" --scratch-path "$tools" --product generate-manual >&2
generate_manual="$tools/debug/generate-manual"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# The page's date: the last commit's, so a rebuild of the same tree gives the same page.
date=$(git -C "$root" log -1 --format=%cs 2>/dev/null || date +%Y-%m-%d)
"$generate_manual" "$binary" --date "$date" --output-directory "$stage" >&2
[ -s "$stage/stylize.1" ] || { echo "install.sh: generate-manual wrote no stylize.1" >&2; exit 1; }
for shell in bash zsh fish; do
    "$binary" --generate-completion-script "$shell" > "$stage/completion.$shell"
done

installed=()
put() {  # put MODE SOURCE RELATIVE-TARGET
    install -D -m "$1" "$2" "$dest/$3"
    installed+=("$3")
}
put 755 "$binary" bin/stylize
for f in "$root"/Weights/*.safetensors "$root"/Weights/MANIFEST.json "$root"/Weights/LICENSE-Apache-2.0.txt \
         "$root"/Weights/MAGENTA_NOTICE.txt "$root"/Weights/MAGENTA.md "$root"/Weights/DEFAULT_MODEL.md; do
    put 644 "$f" "share/stylize/$(basename "$f")"
done
put 644 "$root/Training/magenta/convert_magenta.py" share/stylize/Training/magenta/convert_magenta.py
put 644 "$stage/stylize.1" share/man/man1/stylize.1
put 644 "$stage/completion.bash" share/bash-completion/completions/stylize
put 644 "$stage/completion.zsh" share/zsh/site-functions/_stylize
put 644 "$stage/completion.fish" share/fish/vendor_completions.d/stylize.fish
printf '%s\n' "${installed[@]}" > "$record.tmp" && mv "$record.tmp" "$record"

echo "installed stylize in $prefix:"
printf '  %s\n' "${installed[@]}"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "note: $prefix/bin is not on PATH" ;; esac
echo "try: stylize info; man stylize (MANPATH may need $prefix/share/man); uninstall: $0 --prefix $prefix --uninstall"
