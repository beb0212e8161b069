#!/usr/bin/env bash
# The newcomer's path, automated: pack every library into a local feed, create a console project outside the
# solution that references the packages by PackageReference (not ProjectReference), register each executor
# through DI, run a workload defined in that project on each, and check the results.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
version="0.0.0-local.$(date +%s)"
# Our packages of this run are unique to it: drop them from the global cache too, whatever happens.
trap 'rm -rf "$work" "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/concurrency.*/"$version"' EXIT
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(Threads)

for project in "$root"/src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$work/feed" -p:Version="$version" --nologo -v quiet
done
ls "$work/feed"

mkdir -p "$work/app"
cp "$root/eng/packaging/consumer/Program.cs" "$work/app/"
extensions=$(sed -n 's:.*<MicrosoftExtensionsVersion>\(.*\)</MicrosoftExtensionsVersion>.*:\1:p' "$root/Directory.Packages.props")
orleans=$(sed -n 's:.*<MicrosoftOrleansVersion>\(.*\)</MicrosoftOrleansVersion>.*:\1:p' "$root/Directory.Packages.props")
cat > "$work/app/Newcomer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <NuGetAudit>false</NuGetAudit>
  </PropertyGroup>
  <ItemGroup>
$(for p in "$work"/feed/*.nupkg; do n=$(basename "$p" ".$version.nupkg"); case "$n" in *.symbols) ;; *) echo "    <PackageReference Include=\"$n\" Version=\"$version\" />";; esac; done)
    <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="$extensions" />
    <PackageReference Include="Microsoft.Extensions.Configuration" Version="$extensions" />
    <PackageReference Include="Microsoft.Extensions.Hosting" Version="$extensions" />
    <PackageReference Include="Microsoft.Orleans.Server" Version="$orleans" />
  </ItemGroup>
</Project>
XML
cat > "$work/app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
XML
cat "$work/app/Newcomer.csproj"
(cd "$work/app" && dotnet run -c Release -- "${kinds[@]}")
