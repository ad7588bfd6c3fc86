# The end-to-end step of .github/workflows/windows.yml, on a Windows host with containerd, nerdctl
# and nat.exe installed: a container on the natcni-e2e network (tools/windows-ci/natcni-e2e.conflist)
# with `-p 8080:80`, a page fetched through the mapped port, the container removed, and HNS checked
# for anything of ours (dist/hns-check.js, through the HCN API).
param(
  # The image tag of the host's exact build first: process isolation needs an image no newer than the
  # host, and a floating ltscYYYY tag can be (actions/runner-images#11582). Then this fallback.
  [Parameter(Mandatory = $true)][string] $FallbackImage,
  [string] $Network = 'natcni-e2e',
  [int] $HostPort = 8080
)
$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)

# nerdctl reads CNI configurations from this folder on Windows (docs/windows.md).
$netconf = Join-Path $env:ProgramData 'nerdctl\cni\net.d'
New-Item -ItemType Directory -Force $netconf | Out-Null
Copy-Item (Join-Path $PSScriptRoot 'natcni-e2e.conflist') (Join-Path $netconf "$Network.conflist")

$v = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$Image = "mcr.microsoft.com/windows/servercore:10.0.$($v.CurrentBuild).$($v.UBR)"
nerdctl pull $Image
if ($LASTEXITCODE -ne 0) {
  Write-Host "no $Image; taking $FallbackImage"
  $Image = $FallbackImage
  nerdctl pull $Image
  if ($LASTEXITCODE -ne 0) { throw "nerdctl pull $Image failed" }
}

# A web server in the image's own PowerShell; the script travels encoded, so no quoting can break it.
$server = @'
$l = New-Object System.Net.HttpListener
$l.Prefixes.Add('http://+:80/')
$l.Start()
while ($true) {
  $c = $l.GetContext()
  $b = [Text.Encoding]::UTF8.GetBytes('hello from nat-cni')
  $c.Response.OutputStream.Write($b, 0, $b.Length)
  $c.Response.Close()
}
'@
$encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($server))
$out = nerdctl run -d --net $Network -p "${HostPort}:80" $Image powershell -NoProfile -EncodedCommand $encoded
if ($LASTEXITCODE -ne 0) { throw 'nerdctl run failed' }
$id = "$($out | Select-Object -Last 1)".Trim()
if (-not $id) { throw 'nerdctl run printed no container id' }
Write-Host "container $id"

try {
  # Through the mapped port: from the host by localhost, else by the host's own address.
  $hostIp = (Get-NetIPConfiguration | Where-Object { $_.IPv4DefaultGateway } | Select-Object -First 1).IPv4Address.IPAddress
  $urls = @("http://localhost:$HostPort/", "http://${hostIp}:$HostPort/")
  $body = $null
  $deadline = (Get-Date).AddMinutes(5)
  while (-not $body -and (Get-Date) -lt $deadline) {
    foreach ($u in $urls) {
      try {
        $r = Invoke-WebRequest -Uri $u -UseBasicParsing -TimeoutSec 10
        if ($r.Content -match 'hello from nat-cni') { $body = $r.Content; Write-Host "fetched $u -> $body"; break }
      } catch { Write-Host "not yet: $u ($($_.Exception.Message))" }
    }
    if (-not $body) { Start-Sleep -Seconds 5 }
  }
  if (-not $body) {
    nerdctl inspect $id
    throw "no page through host port $HostPort within 5 minutes"
  }
} finally {
  nerdctl rm -f $id
  if ($LASTEXITCODE -ne 0) { Write-Host "nerdctl rm -f $id failed" }
}

# Nothing of ours may be left: no endpoint on the network or named after the container; then the
# network itself goes (the plugin keeps it for the next container, as the Go plugin does).
node (Join-Path $repo 'dist\hns-check.js') --network $Network --container $id --remove-network
if ($LASTEXITCODE -ne 0) { throw 'HNS still holds something of ours' }
Remove-Item (Join-Path $netconf "$Network.conflist")
