-- wrk script: POST generated consignments, each with a unique LRN.
-- usage: wrk -s bench/wrk-file.lua ... URL   (env MLV_BENCH_KEY, MLV_BENCH_BODIES)
local bodies = {}
local key = os.getenv("MLV_BENCH_KEY")
local path = os.getenv("MLV_BENCH_BODIES")
local f = assert(io.open(path, "r"))
for line in f:lines() do
  bodies[#bodies + 1] = line
end
f:close()

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
local headers = {
  ["Authorization"] = "Bearer " .. key,
  ["Content-Type"] = "application/json",
}
function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  local lrn = string.format('"lrn":"W%d-%d"', tid, counter)
  body = body:gsub('"lrn":"[^"]*"', lrn, 1)
  return wrk.format("POST", "/v1/consignments", headers, body)
end
