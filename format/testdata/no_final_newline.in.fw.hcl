search "n" {
  trials = 20
}