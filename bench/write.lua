-- wrk script for the write path: PATCH /api/v1/me (a person changes their name), with a personal
-- API token from the environment variable NOABER_TOKEN. Every request is one write transaction.
local token = os.getenv("NOABER_TOKEN")
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"display_name":"Bewoner %d"}', n)
  return wrk.format("PATCH", "/api/v1/me",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
