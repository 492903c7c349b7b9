#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of every project that tracks its public API (<TrackPublicApi>true</TrackPublicApi>:
# src/NasGen, src/NasGen.Abstractions, src/NasGen.Spaces, src/NasGen.Dashboard) from the code as it is now, after a
# deliberate API change or a merge. Review the diff of the PublicAPI files before committing it: every line that
# appears or disappears is a change users see.
#
#   bash eng/update-public-api.sh            # every tracking project
#   bash eng/update-public-api.sh src/NasGen # only these project folders
#
# How: each Unshipped file is emptied, then `dotnet format analyzers` applies the analyzer's own code fix for RS0016
# ("not part of the declared API"), which writes every public symbol that PublicAPI.Shipped.txt does not list, in the
# analyzer's format. It skips symbols declared in generated code, so a build then names the rest (RS0016, whose
# message quotes the line) and those that Shipped lists but the code no longer has (RS0017, written as `*REMOVED*`
# lines); the file is sorted (ordinal). Finally each project is built as CI builds it (Release, warnings as errors):
# the script fails unless that build succeeds with no RS00xx diagnostic left.
# Generated code counts (the spaces of src/NasGen.Spaces), so the generator is built first.
set -euo pipefail

cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  dirs=("$@")
else
  # Referenced projects first: each project's check builds the projects it references with their API files.
  mapfile -t dirs < <(grep -l '<TrackPublicApi>true</TrackPublicApi>' src/*/*.csproj | xargs -n1 dirname \
    | awk '{ rank = ($0 == "src/NasGen.Abstractions") ? 0 : ($0 == "src/NasGen") ? 1 : 2; print rank, $0 }' | sort | cut -d' ' -f2)
fi
[ "${#dirs[@]}" -gt 0 ] || { echo "update-public-api: no project tracks its public API" >&2; exit 1; }

# dotnet format loads the projects in the Debug configuration: the generator's analyzer assembly must exist there.
dotnet build src/NasGen.Generators -c Debug -v q -nologo >/dev/null

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

for dir in "${dirs[@]}"; do
  dir="${dir%/}"
  project=$(ls "$dir"/*.csproj)
  grep -q '<TrackPublicApi>true</TrackPublicApi>' "$project" || { echo "update-public-api: $project does not track its public API" >&2; exit 1; }
  unshipped="$dir/PublicAPI.Unshipped.txt"
  [ -f "$dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
  printf '#nullable enable\n' > "$unshipped"

  echo "update-public-api: $project"
  dotnet format analyzers "$project" --diagnostics RS0016 --severity warn -v q

  # dotnet format leaves out symbols declared in generated code (the spaces of src/NasGen.Spaces), and symbols that
  # Shipped lists but the code lost are to be marked removed: a build names both, and its message quotes the line in
  # the files' own format. Only this project's lines count: a build also reports the projects it references.
  dotnet build "$project" -c Release -nologo -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= >"$log" 2>&1 || true
  {
    tail -n +2 "$unshipped"
    grep -F "$PWD/$project" "$log" | grep -oE "warning RS0016: Symbol '[^']+' is not part of the declared" \
      | sed -E "s/^warning RS0016: Symbol '(.*)' is not part of the declared$/\1/" || true
    grep -F "$PWD/$project" "$log" | grep -oE "warning RS0017: Symbol '[^']+' is part of the declared API" \
      | sed -E "s/^warning RS0017: Symbol '(.*)' is part of the declared API$/*REMOVED*\1/" || true
  } | LC_ALL=C sort -u > "$log.entries"
  { printf '#nullable enable\n'; cat "$log.entries"; } > "$unshipped"
  rm -f "$log.entries"

  # The check is the build CI runs (Release, warnings as errors); the API file just changed, so it compiles again.
  status=0
  dotnet build "$project" -c Release -nologo >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || grep -F "$PWD/$project" "$log" | grep -qE "(warning|error) RS00[0-9]{2}"; then
    grep -F "$PWD/$project" "$log" | grep -E " error |RS00[0-9]{2}" | sort -u | head -40 >&2 || true
    echo "update-public-api: $project does not build cleanly with its API files (above)" >&2
    exit 1
  fi
  echo "update-public-api: $unshipped: $(($(wc -l < "$unshipped") - 1)) entries"
done
echo "update-public-api: done; review 'git diff -- \"*PublicAPI*.txt\"'"
