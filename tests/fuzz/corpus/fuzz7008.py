# model fuzz7008, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = F.linear(torch.matmul(x, p1), t["v1.weight"], t["v1.bias"])
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        return h
    z = net1(torch.tanh(v1))
    return F.mse_loss(z, y)
