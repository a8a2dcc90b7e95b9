# model fuzz7026, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    v1 = F.elu(x)
    v2 = torch.softmax(torch.softmax(v1, -1), -1)
    p1 = t["p1"]
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        h = torch.tanh(h)
        h = torch.softmax(h, -1)
        h = F.linear(h, t["net1.5.weight"], t["net1.5.bias"])
        h = torch.sigmoid(h)
        return h
    v3 = net1(torch.sigmoid(((v2 - p1) + v2)))
    v4 = (v3 / (torch.sigmoid(v3) + torch.tensor(0.5)))
    def net2(h):
        h = F.gelu(h)
        h = F.linear(h, t["net2.1.weight"], t["net2.1.bias"])
        h = F.linear(h, t["net2.2.weight"], t["net2.2.bias"])
        h = torch.relu(h)
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    v5 = net2(v4)
    return torch.mean(((v5 - y) * (v5 - y))) + (torch.tensor(0.01) * torch.mean((v4 * v4)))
