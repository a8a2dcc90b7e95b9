# model fuzz7026, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.matmul(x, p1)
    v2 = torch.mean(torch.softmax(v1, -1))
    v3 = (v2 - ((v2 * v2) + v2))
    v4 = (x + torch.log(((v3 * v3) + torch.tensor(1))))
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        return h
    z = net1(torch.tanh(v4))
    return torch.mean(((z - y) * (z - y)))
