# A search whose go_build program was generated from another schema: the
# end-to-end tests check that plan warns and apply refuses it.
search "stale" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 2
  base_config = { x = 0.5 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }
  trial {
    go_build = "./prog"
  }
}
