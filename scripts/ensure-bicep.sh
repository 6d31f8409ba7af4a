#!/usr/bin/env bash
# Prints the path of the pinned Bicep CLI, installing it first if it is missing.
#
# The CLI ships on NuGet (Azure.Bicep.CommandLine.<rid>); `dotnet restore` of
# infra/tools/bicep-cli.csproj downloads it into .tools/nuget (gitignored). Nothing else is
# fetched. Idempotent: a second run only prints the path.
#
#   scripts/ensure-bicep.sh          install if needed, print the path
#   scripts/ensure-bicep.sh --find   print the path if installed, else exit 3 (never installs)
#
# LIFEBOAT_BICEP=/path/to/bicep overrides both (an already-installed CLI of the same version).
set -euo pipefail
cd "$(dirname "$0")/.."

project=infra/tools/bicep-cli.csproj
version=$(sed -n 's:.*<BicepVersion>\(.*\)</BicepVersion>.*:\1:p' "$project")
[ -n "$version" ] || { echo "ensure-bicep: no <BicepVersion> in $project" >&2; exit 2; }

if [ -n "${LIFEBOAT_BICEP:-}" ]; then
  [ -x "$LIFEBOAT_BICEP" ] || { echo "ensure-bicep: LIFEBOAT_BICEP=$LIFEBOAT_BICEP is not executable" >&2; exit 2; }
  echo "$LIFEBOAT_BICEP"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid=linux-x64 ;;
  Linux-aarch64 | Linux-arm64) rid=linux-arm64 ;;
  Darwin-x86_64) rid=osx-x64 ;;
  Darwin-arm64) rid=osx-arm64 ;;
  *) echo "ensure-bicep: no Bicep CLI package for $(uname -s)-$(uname -m)" >&2; exit 3 ;;
esac

packages="$PWD/.tools/nuget"
bin="$packages/azure.bicep.commandline.$rid/$version/tools/bicep"

if [ ! -f "$bin" ]; then
  if [ "${1:-}" = "--find" ]; then exit 3; fi
  if ! command -v dotnet > /dev/null; then
    echo "ensure-bicep: Bicep CLI $version is not installed and there is no dotnet to install it from NuGet" >&2
    exit 3
  fi
  echo "ensure-bicep: installing Bicep CLI $version ($rid) from NuGet into .tools/nuget" >&2
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
    dotnet restore "$project" --packages "$packages" -p:BicepRid="$rid" --verbosity quiet >&2
  [ -f "$bin" ] || { echo "ensure-bicep: the package has no tools/bicep at $bin" >&2; exit 2; }
fi
[ -x "$bin" ] || chmod +x "$bin"
echo "$bin"
