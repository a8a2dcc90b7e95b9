# model fuzz7015, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.mean(torch.sqrt((torch.abs(torch.sqrt((torch.abs(x) + torch.tensor(0.5)))) + torch.tensor(0.5))))
    p1 = t["p1"]
    v2 = (p1 - torch.log((torch.sigmoid((p1 - v1)) + torch.tensor(0.5))))
    v3 = torch.relu((-torch.tanh(v2)))
    v4 = torch.softmax(F.leaky_relu(torch.tanh(v3)), -1)
    v5 = (p1 * torch.softmax(v4, -1))
    v6 = torch.sum(torch.sigmoid(torch.sqrt((torch.abs(v5) + torch.tensor(0.5)))))
    v7 = ((v6 / ((v6 * v6) + torch.tensor(1))) + p1)
    def net1(h):
        h = F.linear(h, t["net1.0.weight"], t["net1.0.bias"])
        h = F.elu(h)
        h = F.linear(h, t["net1.2.weight"], t["net1.2.bias"])
        return h
    logits = net1(x)
    return F.cross_entropy(logits, y)
