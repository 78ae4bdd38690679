# Errors that need the outcomes: coarse has three completed trials,
# empty has none, running has trials to run.
search "coarse" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 20
  base_config = { training = { lr = 0.001, batch_size = 64, momentum = 0.9 }, optimizer = "adam" }
  param "training.lr" {
    type = real
    low  = 0.00001
    high = 0.1
    log  = true
  }
  trial {
    command = ["true"]
  }
}

search "empty" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 20
  base_config = { lr = 0.1 }
  param "lr" {
    type = real
    low  = 0.01
    high = 1
  }
  trial {
    command = ["true"]
  }
}

search "running" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 5
  base_config = { lr = 0.1 }
  param "lr" {
    type = real
    low  = 0.01
    high = 1
  }
  trial {
    command = ["true"]
  }
}

search "fine" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = length(search.coarse.top)
  seed        = search.coarse.top[3].trial       # coarse has 3
  base_config = { other = search.empty.best.config } # empty has none
  refine {
    from   = search.coarse                       # no error: base_config has one
    factor = 0.5
  }
  param "x" {
    type = real
    low  = search.coarse.best.params["training.rate"] # no such param
    high = search.coarse.best.metrics["loss"] + 1
    new  = true
  }
  trial {
    command = ["true"]
  }
}

search "nothing" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 1
  refine {
    from   = search.empty
    factor = 1
  }
  trial {
    command = ["true"]
  }
}

search "later" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 1
  seed     = search.running.best.trial           # deferred: no error
  trial {
    command = ["true"]
  }
}

search "elsewhere" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 1
  base_config = { lr = search.coarse.best.params["training.lr"] }
  refine {
    from   = search.coarse                       # base_config has no "training"
    factor = 0.5
  }
  trial {
    command = ["true"]
  }
}
