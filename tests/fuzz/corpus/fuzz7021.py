# model fuzz7021, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    v1 = torch.exp(torch.tanh(torch.sqrt((torch.abs(torch.relu(x)) + torch.tensor(0.5)))))
    p1 = t["p1"]
    logits = torch.matmul(v1, p1)
    return F.cross_entropy(logits, y)
