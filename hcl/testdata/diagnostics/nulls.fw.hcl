# Null is absent for an optional attribute (seed, timeout) and an error
# for a required one; experiment_root may not climb out of this directory.
search "nulls" {
  strategy        = "random"
  metric          = null
  mode            = "min"
  trials          = null
  seed            = null
  experiment_root = "../trials"
  base_config     = { lr = 0.1 }

  param "lr" {
    type = real
    low  = null
    high = 1
  }

  trial {
    command = null
    timeout = null
  }
}

search "roots" {
  strategy        = "grid"
  metric          = "loss"
  mode            = "max"
  experiment_root = "/"

  trial {
    command = ["true"]
  }
}
