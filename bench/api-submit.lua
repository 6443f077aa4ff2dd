-- wrk script: POST /api/reports with a valid voterList request (no Idempotency-Key, so every
-- request creates a report and its queue job). Usage:
--   CONVEYOR_API_KEY=... wrk -t2 -c32 -d30s --latency -s bench/api-submit.lua http://localhost:8080
local counties = {"Kings", "Queens", "Bronx", "Richmond", "New York", "Albany", "Erie", "Monroe"}
local key = os.getenv("CONVEYOR_API_KEY")
local n = 0

request = function()
  n = n + 1
  local body = string.format(
    '{"type":"voterList","format":"CSV","parameters":{"county":"%s","assemblyDistrict":%d}}',
    counties[(n % #counties) + 1], (n % 150) + 1)
  return wrk.format("POST", "/api/reports", {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json"
  }, body)
end

response = function(status, headers, body)
  if status ~= 202 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
