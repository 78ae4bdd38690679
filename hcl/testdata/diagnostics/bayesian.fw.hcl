variable "budget" {
  type    = number
  default = 20
}

search "bo" {
  strategy = "bayesian"
  metric   = "loss"
  mode     = "min"
  trials   = var.budgit

  base_config = jsondecode(file("no-such-base.json"))

  bayesian {
    initial_points = 50
    acquisition    = "ucb"
  }
  trial {
    command = ["./train"]
  }
}

search "rnd" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 5
  bayesian {
    initial_points = 2
  }
  trial {
    command = ["./train"]
  }
}
