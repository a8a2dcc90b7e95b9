# model fuzz7028, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = ((-x) - p1)
    p2 = t["p2"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.tanh(h)
        return h
    v2 = net1(F.log_softmax((x / ((p2 * p2) + torch.tensor(1))), -1))
    v3 = (-net1(v1))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.tanh(h)
        h = F.leaky_relu(h)
        h = F.linear(h, t["net2.5.weight"], t["net2.5.bias"])
        return h
    z = net2(v3)
    return F.mse_loss(z, y) + torch.mean((v2 * v2)) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
