#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of one project from the analyzer's RS0016/RS0017 report.
set -euo pipefail
proj_dir="$1"
file="$proj_dir/PublicAPI.Unshipped.txt"
printf '#nullable enable\n' > "$file"
[ -s "$proj_dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$proj_dir/PublicAPI.Shipped.txt"
dotnet build "$proj_dir" --no-incremental 2>&1 | grep -oP "RS0016: Symbol '\K.*?(?=' is not part of the declared public API)" | sort -u >> "$file" || true
echo "$(wc -l < "$file") lines in $file"
