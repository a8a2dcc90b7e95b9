# model fuzz7009, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.sigmoid(x)
    v2 = (v1 / ((v1 * v1) + torch.tensor(1)))
    p1 = t["p1"]
    v3 = torch.exp(torch.tanh((p1 * torch.tanh(torch.softmax((-torch.log(((v2 * v2) + torch.tensor(1)))), -1)))))
    v4 = F.log_softmax(x, -1)
    v5 = torch.tanh(torch.log(((v4 * v4) + torch.tensor(1))))
    v6 = torch.tanh(x)
    v7 = torch.sqrt((torch.abs(torch.softmax(torch.relu(v2), -1)) + torch.tensor(0.5)))
    logits = F.linear(torch.flatten(v7, 1), t["logits.weight"], t["logits.bias"])
    return F.cross_entropy(logits, y)
