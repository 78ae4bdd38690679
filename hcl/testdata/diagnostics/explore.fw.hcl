search "bo" {
  strategy = "bayesian"
  metric   = "loss"
  mode     = "min"
  trials   = 40

  base_config = { x = 0.5 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }

  bayesian {
    explore_every = -1
    explore_kappa = 0
    stall_trials  = 2.5
  }
  trial {
    command = ["./train"]
  }
}

search "ok" {
  strategy = "bayesian"
  metric   = "loss"
  mode     = "min"
  trials   = 40

  base_config = { x = 0.5 }
  param "x" {
    type = real
    low  = 0
    high = 1
  }

  bayesian {
    explore_every = 0
    explore_kappa = "wide"
  }
  trial {
    command = ["./train"]
  }
}
