# model fuzz7030, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (y / ((y * y) + torch.tensor(1)))
    p1 = t["p1"]
    v2 = (p1 * (-(-v1)))
    v3 = (v2 / ((v2 * v2) + torch.tensor(1)))
    def net1(h):
        h = F.leaky_relu(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.relu(h)
        h = torch.relu(h)
        h = F.linear(h, t["net1.6.weight"], t["net1.6.bias"])
        h = torch.sigmoid(h)
        return h
    v4 = net1(y)
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        return h
    z = net2(v2)
    return F.binary_cross_entropy_with_logits(z, y) + (torch.tensor(0.01) * torch.sum(torch.tanh(v3))) + (torch.tensor(0.01) * torch.sum(torch.tanh(x)))
