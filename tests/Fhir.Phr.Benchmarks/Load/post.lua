-- POSTs the bundle in the file named by PHR_BODY to [base] (a transaction).
local f = assert(io.open(os.getenv("PHR_BODY"), "rb"))
local body = f:read("*a")
f:close()
request = function()
  return wrk.format("POST", "/", { ["Content-Type"] = "application/fhir+json", ["Prefer"] = "return=minimal" }, body)
end
response = function(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
