#!/usr/bin/env bash
# CI for the VS Code extension: install from the lockfile, typecheck, bundle, unit-test, package,
# and check what went into the .vsix. Needs Node 20+, npm and python3 (the tests run a real
# interpreter); nothing is downloaded except npm packages.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n== %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund

step "typecheck"
npm run -s typecheck

step "bundle"
npm run -s build

step "unit tests"
npm test -s

step "package"
vsix="autoskill-$(node -p "require('./package.json').version").vsix"  # vsce's default name
rm -f "$vsix"
npm run -s package

step "check the .vsix contents"
# Exactly the bundle, manifest, README and LICENSE (plus the two files vsce itself adds):
# no sources, no tests, no node_modules.
expected=$'[Content_Types].xml\nextension.vsixmanifest\nextension/LICENSE.txt\nextension/dist/extension.js\nextension/package.json\nextension/readme.md'
actual=$(python3 - "$vsix" <<'EOF'
import sys, zipfile
print("\n".join(sorted(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if not n.endswith("/"))))
EOF
)
if [[ "$actual" != "$expected" ]]; then
    printf 'unexpected .vsix contents:\n%s\nexpected:\n%s\n' "$actual" "$expected" >&2
    exit 1
fi
printf '%s\n' "$actual"
size=$(wc -c <"$vsix")
printf '\nvsix: %s (%s bytes)\n' "$(pwd)/$vsix" "$size"
