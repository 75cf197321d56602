-- wrk script: random transfers between the members of one bank, each with its own Idempotency-Key.
-- Environment: ASHAR_TOKEN, and either ASHAR_BANK with ASHAR_MEMBERS (member ids, comma-separated), or
-- ASHAR_BANKS_FILE: a file of lines "bank member member …", each transfer in a bank picked at random.
local token = os.getenv("ASHAR_TOKEN")
local banks = {}
local function add_bank(line)
  local ids = {}
  for id in string.gmatch(line, "[^, ]+") do ids[#ids + 1] = id end
  banks[#banks + 1] = { id = table.remove(ids, 1), members = ids }
end
if os.getenv("ASHAR_BANKS_FILE") then
  for line in io.lines(os.getenv("ASHAR_BANKS_FILE")) do add_bank(line) end
else
  add_bank(os.getenv("ASHAR_BANK") .. "," .. os.getenv("ASHAR_MEMBERS"))
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + tid)
  statuses = {}
  sent = 0
end

function request()
  local bank = banks[math.random(#banks)]
  local members = bank.members
  local from = members[math.random(#members)]
  local to = members[math.random(#members)]
  while to == from do to = members[math.random(#members)] end
  sent = sent + 1
  local body = string.format('{"providerId":"%s","recipientId":"%s","minutes":%d,"serviceDate":"2026-11-20"}',
    from, to, math.random(5, 30))
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if os.getenv("ASHAR_NO_IDEMPOTENCY") == nil then
    headers["Idempotency-Key"] = string.format("load-%d-%d-%d", tid, os.time(), sent)
  end
  return wrk.format("POST", "/api/v1/timebanks/" .. bank.id .. "/transfers", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do totals[code] = (totals[code] or 0) + n end
  end
  local line = "statuses:"
  for code, n in pairs(totals) do line = line .. string.format(" %d=%d", code, n) end
  print(line)
  print(string.format("p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  print(string.format("rate_per_s=%.0f", summary.requests / (summary.duration / 1e6)))
  print(string.format("created_per_s=%.0f", (totals[201] or 0) / (summary.duration / 1e6)))
end
