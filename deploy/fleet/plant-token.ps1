<#
.SYNOPSIS
  Asks the token API for one token for this machine and writes its
  credentials to Path in Format, readable by the current user only.

.EXAMPLE
  $Env:SPACECRAB_ADDR = "https://tokens.example.com"
  $Env:SPACECRAB_API_KEY = "sck_..."
  .\plant-token.ps1 -Path "$HOME\.aws\credentials" -Format aws-credentials -Owner it-sec@example.com

.NOTES
  The token's location is "<COMPUTERNAME>:<full Path>". Exit code 0 planted,
  1 failed. Works in Windows PowerShell 5.1 and PowerShell 7.
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true, Position = 0)][string]$Path,
  [Parameter(Mandatory = $true, Position = 1)]
  [ValidateSet("json", "aws-credentials", "aws-config", "csv", "env", "powershell", "dockerfile", "k8s-secret")]
  [string]$Format,
  [Parameter(Mandatory = $true, Position = 2)][string]$Owner,
  [switch]$Force
)
$ErrorActionPreference = "Stop"

function Fail([string]$Message) {
  [Console]::Error.WriteLine("plant-token: $Message")
  exit 1
}

$addr = $Env:SPACECRAB_ADDR
$key = $Env:SPACECRAB_API_KEY
if (-not $addr) { Fail "SPACECRAB_ADDR is not set (e.g. https://tokens.example.com)" }
if (-not $key) { Fail "SPACECRAB_API_KEY is not set" }

$full = [System.IO.Path]::GetFullPath($Path)
$dir = [System.IO.Path]::GetDirectoryName($full)
if ((Test-Path -LiteralPath $full) -and -not $Force) { Fail "$full exists; use -Force to overwrite it" }
if (-not (Test-Path -LiteralPath $dir)) { New-Item -ItemType Directory -Path $dir -Force | Out-Null }

$hostName = if ($Env:COMPUTERNAME) { $Env:COMPUTERNAME } else { [System.Net.Dns]::GetHostName() }
$location = "${hostName}:$full"
$body = @{
  location   = $location
  owner      = $Owner
  planted_at = (Get-Date).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ")
  format     = $Format
} | ConvertTo-Json -Compress

try {
  $response = Invoke-RestMethod -Method Post -Uri ($addr.TrimEnd("/") + "/api/v1/tokens") `
    -Headers @{ Authorization = "Bearer $key"; Accept = "application/json" } `
    -ContentType "application/json" -Body $body -TimeoutSec 60
} catch {
  $detail = $_.ErrorDetails.Message
  try { $detail = ($detail | ConvertFrom-Json).detail } catch { }
  if (-not $detail) { $detail = $_.Exception.Message }
  Fail "the API refused: $detail"
}

$item = $response.items[0]
$text = $item.credentials.formatted
if (-not $text) { Fail "the API answer carried no formatted credentials" }

# Write to a temporary file whose ACL allows only the current user, then move
# it into place, so the secret is never readable by others, even briefly.
$tmp = Join-Path $dir ([System.IO.Path]::GetRandomFileName())
New-Item -ItemType File -Path $tmp -Force | Out-Null
if ($IsWindows -or $Env:OS -eq "Windows_NT") {
  $acl = Get-Acl -LiteralPath $tmp
  $acl.SetAccessRuleProtection($true, $false)
  foreach ($rule in @($acl.Access)) { [void]$acl.RemoveAccessRule($rule) }
  $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User
  $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($me, "FullControl", "Allow")
  $acl.AddAccessRule($rule)
  Set-Acl -LiteralPath $tmp -AclObject $acl
} else {
  chmod 600 $tmp
}
# ASCII without a BOM: what the AWS tools and shells expect.
[System.IO.File]::WriteAllText($tmp, $text, (New-Object System.Text.ASCIIEncoding))
Move-Item -LiteralPath $tmp -Destination $full -Force
Write-Output "planted $($item.token.id) at $location"
