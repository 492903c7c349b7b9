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
# analyzer's format and sorted. Symbols that Shipped lists but the code no longer has (RS0017) are recorded as
# `*REMOVED*` lines. Finally each project is built: the script fails unless the build has no RS00xx diagnostic left.
# Generated code counts (the spaces of src/NasGen.Spaces), so the generator is built first.
set -euo pipefail

cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  dirs=("$@")
else
  mapfile -t dirs < <(grep -l '<TrackPublicApi>true</TrackPublicApi>' src/*/*.csproj | xargs -n1 dirname | sort)
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

  # Shipped symbols that are gone: the analyzer wants them marked removed in Unshipped. Its message quotes the line.
  dotnet build "$project" -c Debug -nologo -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= >"$log" 2>&1 || true
  grep -F "$PWD/$project" "$log" | grep -oE "warning RS0017: Symbol '[^']+' is part of the declared API" \
    | sed -E "s/^warning RS0017: Symbol '(.*)' is part of the declared API$/*REMOVED*\1/" | sort -u >> "$unshipped" || true

  dotnet build "$project" -c Debug -nologo -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= >"$log" 2>&1 || true
  # Only this project's lines: a build also reports the projects it references.
  if grep -F "$PWD/$project" "$log" | grep -qE "(warning|error) RS00[0-9]{2}"; then
    grep -F "$PWD/$project" "$log" | grep -oE "(warning|error) RS00[0-9]{2}: [^[]*" | sort -u >&2
    echo "update-public-api: $project still has public-API diagnostics (above)" >&2
    exit 1
  fi
  echo "update-public-api: $unshipped: $(($(wc -l < "$unshipped") - 1)) entries"
done
echo "update-public-api: done; review 'git diff -- \"*PublicAPI*.txt\"'"
