# model fuzz7014, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = (torch.tensor(3) + torch.sigmoid(x))
    v2 = torch.tanh(torch.sigmoid(y))
    v3 = ((F.linear(v2, t["v3.weight"], t["v3.bias"]) - torch.tensor(2)) / (torch.sigmoid(v2) + torch.tensor(0.5)))
    v4 = torch.softmax(torch.log((torch.sigmoid(v3) + torch.tensor(0.5))), -1)
    v5 = (v4 / ((v4 * v4) + torch.tensor(1)))
    v6 = (-v5)
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        return h
    v7 = net1(v6)
    return torch.mean(((v7 - y) * (v7 - y))) + torch.sum(torch.tanh(v1)) + torch.sum(v2)
