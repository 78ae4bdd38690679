search "crlf" {
  trials = 20
  seed=1
}
