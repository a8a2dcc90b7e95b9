# model fuzz7007, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"]
    p1 = t["p1"]
    v1 = torch.matmul(torch.sqrt((torch.abs(y) + torch.tensor(0.5))), p1)
    v2 = (v1 / ((v1 * v1) + torch.tensor(1)))
    v3 = torch.log(((v2 * v2) + torch.tensor(1)))
    def net1(h):
        h = torch.tanh(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = torch.relu(h)
        h = torch.relu(h)
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.sigmoid(h)
        return h
    v4 = net1((torch.sqrt((torch.abs(x) + torch.tensor(0.5))) - x))
    p2 = t["p2"]
    v5 = torch.sigmoid((-F.linear((p2 - v4), t["v5.weight"], t["v5.bias"])))
    p3 = t["p3"]
    v6 = torch.relu((v5 * p3))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.tanh(h)
        h = F.gelu(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = torch.relu(h)
        return h
    def net3(h):
        h = F.linear(h, t["net3.0.weight"], t["net3.0.bias"])
        h = F.silu(h)
        h = F.linear(h, t["net3.2.weight"], t["net3.2.bias"])
        return h
    v7 = net3(F.gelu(net2(torch.softmax(F.linear(v6, t["v7.weight"], t["v7.bias"]), -1)), approximate='tanh'))
    def net4(h):
        h = torch.flatten(h, 1)
        h = F.linear(h, t["net4.1.weight"], t["net4.1.bias"])
        h = F.linear(h, t["net4.2.weight"], t["net4.2.bias"])
        h = F.linear(h, t["net4.3.weight"], t["net4.3.bias"])
        return h
    v8 = net4(v7)
    return torch.mean(((v8 - y) * (v8 - y))) + (torch.tensor(0.01) * torch.mean((p2 * p2))) + torch.mean((v3 * v3))
