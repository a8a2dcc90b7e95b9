# model fuzz7022, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.tanh((x / ((torch.tensor(2) * torch.tensor(2)) + torch.tensor(1))))
    v2 = torch.tanh(F.gelu(x, approximate='tanh'))
    p1 = t["p1"]
    v3 = (torch.reshape(v2, (-1, 2, 3)) + p1)
    v4 = (v3 - torch.relu(v3))[:, :, 1:3]
    v5 = F.log_softmax(p1, -1)
    v6 = (v5 + torch.tensor(3))
    v7 = (v6 / ((v6 * v6) + torch.tensor(1)))
    v8 = torch.sum(F.linear((x / (torch.sigmoid(x) + torch.tensor(0.5))), t["v8.weight"], t["v8.bias"]))
    v9 = torch.reshape(x, (-1, 3, 2))
    p2 = t["p2"]
    v10 = F.gelu(torch.relu(torch.flatten(torch.exp(torch.tanh(((p2 - (-v9)) / (torch.sigmoid(v9) + torch.tensor(0.5))))), 1)), approximate='tanh')
    logits = F.linear(v1, t["logits.weight"], t["logits.bias"])
    return F.nll_loss(F.log_softmax(logits, -1), y) + (torch.tensor(0.01) * torch.mean((p1 * p1))) + (torch.tensor(0.01) * torch.mean(v10)) + (torch.tensor(0.01) * torch.mean((p2 * p2)))
