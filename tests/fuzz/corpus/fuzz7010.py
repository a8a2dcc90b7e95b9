# model fuzz7010, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.relu(x)
    v2 = torch.relu(x)
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.sigmoid(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.tanh(h)
        return h
    v3 = net1(torch.log(((v2 * v2) + torch.tensor(1))))
    v4 = F.linear(v3, t["v4.weight"], t["v4.bias"])
    return torch.mean(((v4 - y) * (v4 - y))) + (torch.tensor(0.01) * torch.mean((v1 * v1))) + torch.sum(v2)
