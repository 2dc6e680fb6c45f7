-- wrk script: GET /api/v1/tokens. PATHS (space separated, from the
-- environment) are requested round-robin; default: the first page.
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "/api/v1/tokens", "%S+") do table.insert(paths, p) end
local i = 0

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

response = function(status, headers, body)
  if status ~= 200 then io.stderr:write("unexpected status " .. status .. "\n") end
end

done = function(summary, latency, requests)
  io.write(string.format("p50_ms %.2f p99_ms %.2f max_ms %.2f requests_per_second %.0f non2xx %d\n",
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
                         summary.requests / (summary.duration / 1e6), summary.errors.status))
end
