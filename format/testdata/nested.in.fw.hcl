search "nested" {
base_config = {
training = { lr = 0.001, batch_size = 64, epochs = var.epochs }
model = {
hidden_dim = 64
dropout = 0.1
layers = [
{ size = 128, activation = "relu" },
{ size = 64,   activation = "tanh" },
]
}
optimizer = "adam"
}
}
