locals {
  a = 1 + 2 * 3
  b = -a
  c = !true
  d = a > 1 ? "big" : "small"
  e = [for x in var.list : x * 2 if x > 0]
  f = { for k, v in var.map : k => v... }
  g = var.list[0].name
  h = var.list.*.name
  i = var.list[*].name
  j = upper("x${var.y}z")
  k = "%{if var.on}on%{else}off%{endif}"
  l = max(1, 2, 3...)
  m = var.obj["key"]
  n = (a + b) * (c-d)
  o = a == b || c != d && e <= f
  p = 1e-3
  q = null
  r = [
    1,
    2, # two
    3
  ]
  s = <<-EOT
    ${a} and ${b}
    %{for x in e}${x}%{endfor}
  EOT
}
