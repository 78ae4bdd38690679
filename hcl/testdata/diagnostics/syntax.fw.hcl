search "broken" {
  strategy = "random
  metric = "loss"
}
