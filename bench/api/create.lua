-- wrk script: POST /api/v1/tokens with {"location": ..., "count": COUNT}.
-- COUNT comes from the environment (default 1); the Authorization header is
-- given on the wrk command line (-H). Each request creates COUNT tokens, so
-- tokens/s = requests/s * COUNT. Non-201 answers are counted and reported.
local count = tonumber(os.getenv("COUNT") or "1")
local n = 0
local failures = 0
local headers = {}

init = function(args)
  for k, v in pairs(wrk.headers) do headers[k] = v end  -- keeps -H Authorization
  headers["Content-Type"] = "application/json"
end

request = function()
  n = n + 1
  local body = string.format('{"location":"bench-host-%d:~/Downloads","owner":"bench","count":%d}', n, count)
  return wrk.format("POST", "/api/v1/tokens", headers, body)
end

response = function(status, headers, body)
  if status ~= 201 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n") end
  end
end

done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  -- wrk counts answers >= 400 in errors.status; only 201s created tokens.
  io.write(string.format("tokens_per_second %.0f\n", (summary.requests - summary.errors.status) * count / secs))
  io.write(string.format("requests %d errors_status %d errors_socket %d\n", summary.requests,
                         summary.errors.status, summary.errors.connect + summary.errors.read +
                         summary.errors.write + summary.errors.timeout))
end
