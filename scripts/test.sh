#!/usr/bin/env bash
# The test command of README.md: builds the solution and runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build RaftBurrow.sln -c Release -nologo -v q
dotnet test RaftBurrow.sln -c Release --no-build -nologo "$@"
