# Searches that build on searches: every error of references and refine
# blocks that a load without the state (validate) reports.
locals {
  best = search.coarse.best.score  # not in locals
}

search "coarse" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = 20
  base_config = { training = { lr = 0.001, batch_size = 64 }, optimizer = "adam" }
  param "training.lr" {
    type = real
    low  = 0.00001
    high = 0.1
    log  = true
  }
  param "training.batch_size" {
    type = integer
    low  = 16
    high = 256
  }
  trial {
    command = ["python3", "train.py"]
  }
}

search "fine" {
  strategy    = "bayesian"
  metric      = search.coarse.best.config.metric # not here
  mode        = "min"
  trials      = 30
  seed        = search.corse.best.trial          # a typo of a search
  base_config = search.coarse.bestt.config       # a typo of best
  refine {
    from   = search.coarse
    factor = 2
    params = ["training.lr", "training.batchsize"]
  }
  param "training.momentum" {
    type = real
    low  = search.coarse.top[0].scor             # a typo of score
    high = search.coarse.top.score               # top is a list
  }
  param "training.lr" {                          # refined already
    type = real
    low  = 0.1
    high = 1
  }
  trial {
    command = ["python3", "train.py", search.coarse]
  }
}

search "self" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = search.self.top[0].trial           # a cycle of one
  trial {
    command = ["true"]
  }
}

search "ping" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 3
  seed     = search.pong.best.trial             # a cycle of two
  trial {
    command = ["true"]
  }
}

search "pong" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 3
  refine {
    from   = search.ping
    factor = 0.5
  }
  trial {
    command = ["true"]
  }
}

search "reader" {
  strategy = "random"
  metric   = "loss"
  mode     = "min"
  trials   = 3
  seed     = search.ping.best.trial             # reads a cycle: no error of its own
  refine {
    from   = "coarse"
    factor = 0.5
  }
  trial {
    command = ["true"]
  }
}
