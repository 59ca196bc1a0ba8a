-- First page of a name search (a blind-index prefix match on protected data).
request = function()
  return wrk.format("GET", "/Patient?name=bench&_count=20", { ["Accept"] = "application/fhir+json" })
end
