-- POSTs the bundle in the file named by PHR_BODY to [base] (a transaction), with PHR_TOKEN.
local f = assert(io.open(os.getenv("PHR_BODY"), "rb"))
local body = f:read("*a")
f:close()
local headers = { ["Content-Type"] = "application/fhir+json", ["Prefer"] = "return=minimal", ["Authorization"] = "Bearer " .. (os.getenv("PHR_TOKEN") or "") }
request = function()
  return wrk.format("POST", "/", headers, body)
end
response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
