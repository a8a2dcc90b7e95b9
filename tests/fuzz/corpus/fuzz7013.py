# model fuzz7013, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    def net1(h):
        h = F.elu(h)
        h = F.linear(h, t["net1.1.weight"], t["net1.1.bias"])
        h = F.silu(h)
        h = F.linear(h, t["net1.3.weight"], t["net1.3.bias"])
        h = F.linear(h, t["net1.4.weight"], t["net1.4.bias"])
        h = torch.relu(h)
        return h
    v1 = F.gelu(net1(x)[:, 3:5])
    v2 = torch.relu(torch.relu(x))
    p1 = t["p1"]
    v3 = torch.matmul(torch.sigmoid((v2 - torch.max(v2, 1, keepdim=True).values)), p1)
    v4 = torch.sigmoid(torch.tanh(v3))
    v5 = torch.softmax(v4, -1)
    p2 = t["p2"]
    v6 = (p2 - v5)
    p3 = t["p3"]
    v7 = (torch.sqrt((torch.abs(v6) + torch.tensor(0.5))) / torch.exp(torch.tanh(p3)))
    def net2(h):
        h = F.linear(h, t["net2.0.weight"], t["net2.0.bias"])
        h = torch.relu(h)
        h = torch.tanh(h)
        h = F.linear(h, t["net2.3.weight"], t["net2.3.bias"])
        h = F.linear(h, t["net2.4.weight"], t["net2.4.bias"])
        return h
    logits = net2(v7)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean((p3 * p3)))
