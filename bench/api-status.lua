-- wrk script: GET /api/reports/{id} for one report (the id in CONVEYOR_REPORT_ID).
local key = os.getenv("CONVEYOR_API_KEY")
local path = "/api/reports/" .. os.getenv("CONVEYOR_REPORT_ID")

request = function()
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. key})
end

response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
