# model fuzz7010, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.sigmoid(x)
    p1 = t["p1"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        return h
    p2 = t["p2"]
    v2 = (net1((p1 * v1)) / torch.exp(torch.tanh(p2)))
    p3 = t["p3"]
    v3 = torch.matmul(v2, p3)
    return torch.mean(((torch.sigmoid(v3) - y) * (torch.sigmoid(v3) - y))) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + torch.mean((p2 * p2)) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
