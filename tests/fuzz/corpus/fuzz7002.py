# model fuzz7002, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.tanh(h)
        return h
    v1 = net1(torch.softmax(torch.exp(torch.tanh(torch.relu(torch.relu((x - x))))), -1))
    p1 = t["p1"]
    def net2(h):
        h = torch.tanh(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = torch.tanh(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        return h
    v2 = net2(torch.matmul((torch.relu(torch.softmax(x, -1)) - torch.tensor(0.5)), p1))
    v3 = torch.log(((v2 * v2) + torch.tensor(1)))
    p2 = t["p2"]
    p3 = t["p3"]
    v4 = torch.mean(torch.tanh((torch.sigmoid(torch.sigmoid((p3 + (x * p2)))) * torch.tensor(1.5))))
    v5 = torch.sigmoid(v4)
    v6 = (p2 / torch.exp(torch.tanh(p3)))
    v7 = torch.sigmoid(torch.relu(v2))
    p4 = t["p4"]
    z = torch.matmul(v7, p4)
    return torch.mean(((torch.sigmoid(z) - y) * (torch.sigmoid(z) - y))) + torch.mean(v1) + (torch.tensor(0.01) * torch.mean(v3))
