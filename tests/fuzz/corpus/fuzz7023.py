# model fuzz7023, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    def net1(h):
        h = torch.flatten(h, 1)
        h = torch.relu(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = F.elu(h)
        return h
    v1 = net1(x)
    v2 = torch.sum((v1 / (torch.sigmoid(v1) + torch.tensor(0.5))))
    v3 = torch.sigmoid(F.log_softmax(x, -1))
    v4 = torch.mean(net1(torch.sqrt((torch.abs((-x)) + torch.tensor(0.5)))))
    v5 = net1(torch.relu((x / torch.exp(torch.tanh(v3)))))
    v6 = torch.clamp(torch.tanh(v2), -0.5, 0.75)
    v7 = torch.sqrt((torch.abs(torch.sigmoid(v2)) + torch.tensor(0.5)))
    v8 = (v7 * y)
    v9 = (-y)
    v10 = (-torch.cat([torch.softmax(v9, -1), v8], 1))
    p1 = t["p1"]
    z = torch.matmul(torch.tanh(v5), p1)
    return torch.mean(((z - y) * (z - y))) + torch.sum(v6) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p1 * p1)))
