locals {
  epochs = 10
  base   = { training = { lr = 0.001, batch_size = 64, epochs = local.epochs }, optimizer = "adam" }
  # a comment
  long_name_here = local.base.training.lr * 10


  after_blank = [local.epochs, 2]
  nested = {
    a  = 1
    bb = local["epochs"]
  }
}
locals {
}
search "coarse" {
  base_config = local.base
  trials      = local.epochs
}
