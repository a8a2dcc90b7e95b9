# model fuzz7023, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = torch.softmax(torch.flatten(x, 1), -1)
    v2 = F.linear((-v1), t["v2.weight"], t["v2.bias"])
    v3 = (v1 / (torch.sigmoid(v2) + torch.tensor(0.5)))
    p1 = t["p1"]
    v4 = ((-F.linear(v3, t["v4.weight"], t["v4.bias"])) / ((p1 * p1) + torch.tensor(1)))
    p2 = t["p2"]
    v5 = (torch.log((torch.sigmoid(torch.relu(v4)) + torch.tensor(0.5))) / ((p2 * p2) + torch.tensor(1)))
    v6 = torch.relu(torch.softmax(v2, -1))
    v7 = torch.tanh(x)
    def net1(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = torch.tanh(h)
        return h
    v8 = net1(torch.tanh(v7))
    v9 = torch.relu(torch.softmax((v8 + v8), -1))
    v10 = F.linear(v5, t["v10.weight"], t["v10.bias"])
    return torch.mean(((torch.sigmoid(v10) - y) * (torch.sigmoid(v10) - y))) + torch.sum(torch.tanh(v8))
