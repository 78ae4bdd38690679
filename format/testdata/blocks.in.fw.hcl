search   "blocks"   {
    strategy = "grid"
        param "training.lr" {
    type = real
            low  = 1e-4
  high = 1e-1
      }
param "optimizer" { values = ["adam","sgd",   "rmsprop"] }
  trial {
  command = [ "go", "run", "./train" ]
  timeout = "2m"
  }
}
