variable "epochs" {
  type = number
  default = 5
  description = "Epochs per trial"
}

search "quickstart" {
  strategy = "random"
  metric    =   "val_loss"
  mode="min"
  trials = 20
  parallelism     = 2
}
